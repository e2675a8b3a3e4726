# The fixture of tests/fix_dead.rs: one toggle per case, each legacy branch
# calling the helper the case is about. The comments never name a helper (a
# comment naming a method keeps it live), but for a method's own comment block.
module Gitlab
  module Git
    class Repository
      include Gitlab::Git::RepositoryMirroring

      attr_reader :path

      def initialize(path)
        @path = path
      end

      def branch_count
        gitaly_ref_client.count_branch_names
      end

      def commit_count(ref)
        gitaly_commit_client.commit_count(ref)
      end

      def ref_names
        gitaly_ref_client.ref_names
      end

      def tag_count
        gitaly_ref_client.count_tag_names
      end

      def local_branches
        gitaly_ref_client.local_branches
      end

      # Case 5: hands the legacy helper out as a Method object: it is kept.
      def branch_loader
        method(:rugged_local_branches)
      end

      def head_name
        gitaly_ref_client.default_branch_name
      end

      # Case 5: named by `alias` (as the old name): kept.
      def rugged_head_name
        rugged.head.name.sub(%r{\Arefs/heads/}, '')
      end
      alias rugged_root_ref rugged_head_name

      def tag_names
        gitaly_ref_client.tag_names
      end

      # Case 5: named by `alias_method`: kept.
      def rugged_tag_names
        rugged.tags.map(&:name)
      end
      alias_method :legacy_tag_names, :rugged_tag_names

      def ls_files(ref)
        gitaly_commit_client.ls_files(ref)
      end

      # Case 6: public; after the fix only the other component calls it: kept
      # and listed.
      def rugged_ls_files(ref)
        rugged.lookup(ref).tree.walk_blobs.map { |root, entry| File.join(root, entry[:name]) }
      end

      def find_branch(name)
        gitaly_ref_client.find_branch(name)
      end

      # Case 7: public; after the fix only the spec names it, outside its own
      # `describe`: kept and listed.
      def rugged_find_branch(name)
        rugged.branches[name]
      end

      def find_tag(name)
        gitaly_ref_client.find_tag(name)
      end

      def fetch_source(url)
        gitaly_remote_client.fetch_source(url)
      end

      def search_files(query)
        gitaly_repository_client.search_files(query)
      end

      # Case 14: a callback its framework calls unnamed; the removed branch
      # above called Ruby's `String#scrub`, not this one: kept.
      def scrub(node)
        node.remove if node.name == 'script'
      end

      # Case 8: public API nothing in the trees calls, already before the fix:
      # it stays, and so does the git runner it calls (which the removed branch
      # above called too).
      def fsck_output
        run_git(%w[fsck --no-progress])
      end

      def mirror_refs(remote)
        gitaly_remote_client.mirror_refs(remote)
      end

      private

      # Case 4: also reached through `send` by the app's model: kept.
      def rugged_tag_count
        rugged.tags.count
      end

      # Case 5: the one handed out as a Method object: kept.
      def rugged_local_branches
        rugged.branches.each(:local).to_a
      end

      def run_git(args)
        popen(['git', "--git-dir=#{path}", *args], path)
      end

      def rugged
        @rugged ||= Rugged::Repository.new(path)
      end
    end
  end
end

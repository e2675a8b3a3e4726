# The fixture of tests/fix_dead.rs: one toggle per case, each legacy branch
# calling the helper the case is about. The comments never name a helper (a
# comment naming a method keeps it live), but for a method's own comment block.
module Gitlab
  module Git
    class Repository
      include Gitlab::Git::RepositoryMirroring

      # Case 2: a constant only the cycle's command builder uses: deleted.
      COUNT_ARGS = %w[rev-list --count].freeze

      attr_reader :path

      def initialize(path)
        @path = path
      end

      def branch_count
        gitaly_migrate(:branch_count) do |is_enabled|
          if is_enabled
            gitaly_ref_client.count_branch_names
          else
            rugged_branch_count
          end
        end
      end

      def commit_count(ref)
        gitaly_migrate(:commit_count) do |is_enabled|
          if is_enabled
            gitaly_commit_client.commit_count(ref)
          else
            count_by_shelling_out(ref)
          end
        end
      end

      def ref_names
        gitaly_migrate(:ref_names) do |is_enabled|
          if is_enabled
            gitaly_ref_client.ref_names
          else
            rugged_ref_names
          end
        end
      end

      # Case 3: public, but only the removed branch above called it: deleted.
      def rugged_ref_names
        rugged.references.map(&:name)
      end

      def tag_count
        gitaly_migrate(:tag_count) do |is_enabled|
          if is_enabled
            gitaly_ref_client.count_tag_names
          else
            rugged_tag_count
          end
        end
      end

      def local_branches
        gitaly_migrate(:local_branches) do |is_enabled|
          if is_enabled
            gitaly_ref_client.local_branches
          else
            rugged_local_branches
          end
        end
      end

      # Case 5: hands the legacy helper out as a Method object: it is kept.
      def branch_loader
        method(:rugged_local_branches)
      end

      def head_name
        gitaly_migrate(:head_name) do |is_enabled|
          if is_enabled
            gitaly_ref_client.default_branch_name
          else
            rugged_head_name
          end
        end
      end

      # Case 5: named by `alias` (as the old name): kept.
      def rugged_head_name
        rugged.head.name.sub(%r{\Arefs/heads/}, '')
      end
      alias rugged_root_ref rugged_head_name

      def tag_names
        gitaly_migrate(:tag_names) do |is_enabled|
          if is_enabled
            gitaly_ref_client.tag_names
          else
            rugged_tag_names
          end
        end
      end

      # Case 5: named by `alias_method`: kept.
      def rugged_tag_names
        rugged.tags.map(&:name)
      end
      alias_method :legacy_tag_names, :rugged_tag_names

      def ls_files(ref)
        gitaly_migrate(:ls_files) do |is_enabled|
          if is_enabled
            gitaly_commit_client.ls_files(ref)
          else
            rugged_ls_files(ref)
          end
        end
      end

      # Case 6: public; after the fix only the other component calls it: kept
      # and listed.
      def rugged_ls_files(ref)
        rugged.lookup(ref).tree.walk_blobs.map { |root, entry| File.join(root, entry[:name]) }
      end

      def find_branch(name)
        gitaly_migrate(:find_branch) do |is_enabled|
          if is_enabled
            gitaly_ref_client.find_branch(name)
          else
            rugged_find_branch(name)
          end
        end
      end

      # Case 7: public; after the fix only the spec names it, outside its own
      # `describe`: kept and listed.
      def rugged_find_branch(name)
        rugged.branches[name]
      end

      def find_tag(name)
        gitaly_migrate(:find_tag) do |is_enabled|
          if is_enabled
            gitaly_ref_client.find_tag(name)
          else
            rugged_find_tag(name)
          end
        end
      end

      # Case 13: public; after the fix only its own `describe` in the spec
      # names it: the method and that block go (the tests of the old path).
      def rugged_find_tag(name)
        rugged.tags[name]
      end

      def fetch_source(url)
        gitaly_migrate(:fetch_source) do |is_enabled|
          if is_enabled
            gitaly_remote_client.fetch_source(url)
          else
            run_git(['fetch', url])
          end
        end
      end

      def search_files(query)
        gitaly_migrate(:search_files) do |is_enabled|
          if is_enabled
            gitaly_repository_client.search_files(query)
          else
            run_git(['grep', query]).scrub.lines
          end
        end
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
        gitaly_migrate(:mirror_refs) do |is_enabled|
          if is_enabled
            gitaly_remote_client.mirror_refs(remote)
          else
            rugged_mirror_refs(remote)
          end
        end
      end

      private

      # Case 1: a private legacy helper only the removed branch called.
      # Deleted, and this comment block with it.
      def rugged_branch_count
        rugged.branches.count
      end

      # Case 2: a cycle of legacy helpers, the counting calling the parsing and
      # the parsing retrying the counting once: both go, and the command
      # builder only they call.
      def count_by_shelling_out(ref, retried = false)
        output = popen(count_command(ref), path)
        process_raw_output(output, ref, retried)
      end

      def process_raw_output(output, ref, retried)
        return output.to_i if output =~ /\A\d+\n?\z/
        raise CommandError, output if retried

        count_by_shelling_out(ref, true)
      end

      def count_command(ref)
        ['git', "--git-dir=#{path}", *COUNT_ARGS, ref]
      end

      # Case 4: also reached through `send` by the app's model: kept.
      def rugged_tag_count
        rugged.tags.count
      end

      # Case 5: the one handed out as a Method object: kept.
      def rugged_local_branches
        rugged.branches.each(:local).to_a
      end

      # Case 12: public, named only with a receiver by Blame's removed branch
      # (case 11), by itself and by its own comment block:
      #   repository.rugged_line_count('1a', 'README') # => 12
      # deleted.
      def rugged_line_count(sha, path, tree = nil)
        tree ||= rugged.lookup(sha).tree
        return rugged_line_count(sha, path, tree) unless tree

        tree.path(path)[:oid].then { |oid| rugged.lookup(oid).content.lines.count }
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

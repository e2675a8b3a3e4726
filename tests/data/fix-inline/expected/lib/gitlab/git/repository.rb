module Gitlab
  module Git
    class Repository
      def initialize(path)
        @path = path
      end

      # Inlined: its only caller is the kept Gitaly branch (`options` → `entry_options`).
      def entry_count(options)
        entry_options = normalize_entry_options(options)

        if entry_options[:recursive]
          path = entry_options[:path]
          total = gitaly_commit_client
            .count_entries("#{path}/", entry_options)

          [total, entry_options[:limit]]
        else
          gitaly_commit_client.count_entries(entry_options[:path], entry_options)
        end
      end

      # Kept: its Gitaly helper has two callers.
      def branch_names
        names_from_gitaly(:branches)
      end

      def tag_names
        names_from_gitaly(:tags)
      end

      # Kept: its Gitaly helper is also called through send (below).
      def size
        size_by_gitaly
      end

      def cached_size
        @cached_size ||= send(:size_by_gitaly)
      end

      def garbage_collect
        run_git(%w[gc --auto])
      end

      private

      def normalize_entry_options(options)
        options.merge(limit: options.fetch(:limit, 100))
      end

      def names_from_gitaly(kind)
        gitaly_ref_client.names(kind)
      end

      def size_by_gitaly
        gitaly_repository_client.repository_size
      end

      def run_git(args, options = {})
        [args, options]
      end
    end
  end
end

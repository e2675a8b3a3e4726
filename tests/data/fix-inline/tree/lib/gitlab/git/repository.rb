module Gitlab
  module Git
    class Repository
      def initialize(path)
        @path = path
      end

      # Inlined: its only caller is the kept Gitaly branch (`options` → `entry_options`).
      def entry_count(options)
        entry_options = normalize_entry_options(options)

        gitaly_migrate(:entry_count) do |is_enabled|
          if is_enabled
            entry_count_by_gitaly(entry_options)
          else
            run_git(%w[count-entries], entry_options)
          end
        end
      end

      # Kept: its Gitaly helper has two callers.
      def branch_names
        gitaly_migrate(:branch_names) do |is_enabled|
          if is_enabled
            names_from_gitaly(:branches)
          else
            run_git(%w[branch --list])
          end
        end
      end

      def tag_names
        gitaly_migrate(:tag_names) do |is_enabled|
          if is_enabled
            names_from_gitaly(:tags)
          else
            run_git(%w[tag --list])
          end
        end
      end

      # Kept: its Gitaly helper is also called through send (below).
      def size
        gitaly_migrate(:repository_size) do |is_enabled|
          if is_enabled
            size_by_gitaly
          else
            run_git(%w[count-objects])
          end
        end
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

      # Counts the entries with the commit service: below a path when
      # recursive, else in one tree.
      def entry_count_by_gitaly(options)
        if options[:recursive]
          path = options[:path]
          total = gitaly_commit_client
            .count_entries("#{path}/", options)

          [total, options[:limit]]
        else
          gitaly_commit_client.count_entries(options[:path], options)
        end
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

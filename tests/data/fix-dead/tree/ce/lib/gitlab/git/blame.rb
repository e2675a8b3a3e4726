module Gitlab
  module Git
    class Blame
      attr_reader :lines

      def initialize(repository, sha, path)
        @repo = repository
        @sha = sha
        @path = path
        @lines = load_blame
      end

      def load_blame
        @repo.gitaly_migrate(:blame) do |is_enabled|
          if is_enabled
            @repo.gitaly_commit_client.raw_blame(@sha, @path)
          else
            load_blame_by_shelling_out
          end
        end
      end

      # Case 11: the toggle's block is a plain `begin … end` (no `rescue`):
      # the branch inside it is kept, without the `begin`.
      def line_count
        @repo.gitaly_migrate(:blame_line_count) do |is_enabled|
          begin
            if is_enabled
              @repo.gitaly_commit_client.blame_line_count(@sha, @path)
            else
              @repo.rugged_line_count(@sha, @path)
            end
          end
        end
      end

      private

      # Case 10: every method of this private section is legacy: they go, and
      # the `private` with them, leaving no blank line before the `end`.
      def load_blame_by_shelling_out
        cmd = %W[git --git-dir=#{@repo.path} blame -p #{@sha} -- #{@path}]
        parse_raw_blame(@repo.popen(cmd))
      end

      def parse_raw_blame(output)
        output.lines.map(&:chomp)
      end
    end
  end
end

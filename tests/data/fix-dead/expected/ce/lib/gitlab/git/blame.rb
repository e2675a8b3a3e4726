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
        @repo.gitaly_commit_client.raw_blame(@sha, @path)
      end

      # Case 11: the toggle's block is a plain `begin … end` (no `rescue`):
      # the branch inside it is kept, without the `begin`.
      def line_count
        @repo.gitaly_commit_client.blame_line_count(@sha, @path)
      end
    end
  end
end

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
    end
  end
end

module Gitlab
  module Git
    class Blob
      def self.find(repo, sha)
        repo.wrapped_gitaly_errors do
          repo.gitaly_blob_client.find(sha)
        end
      end

      def initialize(repository, id)
        @repository = repository
        @id = id
      end

      def load_data
        @data ||= @repository.wrapped_gitaly_errors do
          @repository.gitaly_blob_client.load(@id)
        end
      end
    end
  end
end

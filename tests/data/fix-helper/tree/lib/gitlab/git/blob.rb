module Gitlab
  module Git
    class Blob
      def self.find(repo, sha)
        repo.gitaly_migrate(:blob_find) do |is_enabled|
          if is_enabled
            repo.gitaly_blob_client.find(sha)
          else
            new(repo.rugged.lookup(sha))
          end
        end
      end

      def initialize(repository, id)
        @repository = repository
        @id = id
      end

      def load_data
        @data ||= @repository.gitaly_migrate(:blob_load_data) do |is_enabled|
          if is_enabled
            @repository.gitaly_blob_client.load(@id)
          else
            @repository.rugged.read(@id).data
          end
        end
      end
    end
  end
end

module Gitlab
  module Git
    class Repository
      NoRepository = Class.new(StandardError)
      CommandError = Class.new(StandardError)

      def initialize(path)
        @path = path
      end

      def tag_names
        gitaly_migrate(:tag_names) do |is_enabled|
          if is_enabled
            gitaly_ref_client.tag_names
          else
            rugged_tag_names
          end
        end
      end

      def size
        @size ||= gitaly_migrate(:repository_size) do |is_enabled|
          is_enabled ? gitaly_repository_client.repository_size : disk_size
        end
      end

      def exists?
        return gitaly_migrate(:repository_exists) { |enabled| enabled ? gitaly_repository_client.exists? : File.exist?(@path) }
      end

      def branch_count
        Integer gitaly_migrate(:branch_count) { |is_enabled| is_enabled ? gitaly_ref_client.count_branch_names : rugged.branches.count }
      end

      def gitaly_migrate(method, status: Gitlab::GitalyClient::MigrationStatus::OPT_IN, &block)
        Gitlab::GitalyClient.migrate(method, status: status, &block)
      rescue GRPC::NotFound => e
        raise NoRepository.new(e)
      rescue GRPC::BadStatus => e
        raise CommandError.new(e)
      end

      # Runs the block and maps the gRPC errors to the repository's own.
      def wrapped_gitaly_errors(&block)
        yield block
      rescue GRPC::NotFound  =>  e
        raise NoRepository.new(e)
      rescue GRPC::BadStatus => e
        raise   CommandError.new(e)
      end

      private

      def rugged_tag_names
        []
      end

      def disk_size
        0
      end
    end
  end
end

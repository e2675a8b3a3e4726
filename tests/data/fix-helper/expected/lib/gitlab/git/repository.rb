module Gitlab
  module Git
    class Repository
      NoRepository = Class.new(StandardError)
      CommandError = Class.new(StandardError)

      def initialize(path)
        @path = path
      end

      def tag_names
        wrapped_gitaly_errors do
          gitaly_ref_client.tag_names
        end
      end

      def size
        @size ||= wrapped_gitaly_errors do
          gitaly_repository_client.repository_size
        end
      end

      def exists?
        return wrapped_gitaly_errors do
          gitaly_repository_client.exists?
        end
      end

      def branch_count
        Integer begin
          gitaly_ref_client.count_branch_names
        rescue GRPC::NotFound => e
          raise NoRepository.new(e)
        rescue GRPC::BadStatus => e
          raise CommandError.new(e)
        end
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

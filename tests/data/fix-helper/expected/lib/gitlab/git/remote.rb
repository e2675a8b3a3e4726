module Gitlab
  module Git
    class Remote
      def fetch(name)
        gitaly_remote_client.fetch(name)
      rescue GRPC::DeadlineExceeded => e
        raise TimeoutError.new(e)
      end

      # The toggle is not the whole body (or the method has its own `rescue`):
      # a `begin … rescue … end` around the kept code.
      def prune(name)
        begin
          gitaly_remote_client.prune(name)
        rescue GRPC::DeadlineExceeded => e
          raise TimeoutError.new(e)
        end
        @pruned = true
      end

      def remove(name)
        begin
          gitaly_remote_client.remove(name)
        rescue GRPC::DeadlineExceeded => e
          raise TimeoutError.new(e)
        end
      rescue TimeoutError
        false
      end

      def gitaly_migrate(method, status: Gitlab::GitalyClient::MigrationStatus::OPT_IN, &block)
        Gitlab::GitalyClient.migrate(method, status: status, &block)
      rescue GRPC::DeadlineExceeded => e
        raise TimeoutError.new(e)
      end
    end
  end
end

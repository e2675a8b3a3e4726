module Gitlab
  module Git
    class Remote
      def fetch(name)
        begin
          gitaly_remote_client.fetch(name)
        rescue GRPC::DeadlineExceeded => e
          raise TimeoutError.new(e)
        end
      end

      def gitaly_migrate(method, status: Gitlab::GitalyClient::MigrationStatus::OPT_IN, &block)
        Gitlab::GitalyClient.migrate(method, status: status, &block)
      rescue GRPC::DeadlineExceeded => e
        raise TimeoutError.new(e)
      end
    end
  end
end

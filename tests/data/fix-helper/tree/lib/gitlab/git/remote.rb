module Gitlab
  module Git
    class Remote
      def fetch(name)
        gitaly_migrate(:remote_fetch) do |is_enabled|
          if is_enabled
            gitaly_remote_client.fetch(name)
          else
            run_git(%W[fetch #{name}])
          end
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

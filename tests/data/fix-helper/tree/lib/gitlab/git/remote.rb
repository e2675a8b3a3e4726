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

      # The toggle is not the whole body (or the method has its own `rescue`):
      # a `begin … rescue … end` around the kept code.
      def prune(name)
        gitaly_migrate(:remote_prune) do |is_enabled|
          if is_enabled
            gitaly_remote_client.prune(name)
          else
            run_git(%W[remote prune #{name}])
          end
        end
        @pruned = true
      end

      def remove(name)
        gitaly_migrate(:remote_remove) do |is_enabled|
          if is_enabled
            gitaly_remote_client.remove(name)
          else
            run_git(%W[remote remove #{name}])
          end
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

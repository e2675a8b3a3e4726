module Gitlab
  module Git
    class Wiki
      def page_names
        gitaly_wiki_client.page_names
      rescue GRPC::Unavailable => e
        raise CommandError.new(e)
      end

      def gitaly_migrate(method, status: Gitlab::GitalyClient::MigrationStatus::OPT_IN, &block)
        Gitlab::GitalyClient.migrate(method, status: status, &block)
      rescue GRPC::Unavailable => e
        raise CommandError.new(e)
      end

      # Same exception class, other handling: not the toggle's wrapper.
      def wrapped_wiki_errors
        yield
      rescue GRPC::Unavailable => e
        raise PageError.new(e)
      end
    end
  end
end

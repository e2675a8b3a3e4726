class PruneWorker
  def perform(project)
    gitaly_migrate(:prune_objects, status: Gitlab::GitalyClient::MigrationStatus::OPT_OUT) do |is_enabled|
      if is_enabled
        project.gitaly_client.prune
      else
        project.run_git_prune
      end
    end
  end

  private

  # The status is logged: the clauses use a keyword parameter.
  def gitaly_migrate(method, status: Gitlab::GitalyClient::MigrationStatus::OPT_IN, &block)
    Gitlab::GitalyClient.migrate(method, status: status, &block)
  rescue GRPC::BadStatus => e
    Gitlab::GitLogger.error("#{method} (#{status}) failed: #{e}")
    raise CommandError.new(e)
  end
end

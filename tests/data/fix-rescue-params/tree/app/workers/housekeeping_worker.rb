class HousekeepingWorker
  TASKS = {
    full_repack: :repack_full,
    incremental_repack: :repack_incremental
  }.freeze

  def perform(project, task)
    if task == :gc
      gitaly_migrate(:garbage_collect) do |is_enabled|
        if is_enabled
          project.gitaly_client.garbage_collect
        else
          project.run_git_gc
        end
      end
    else
      gitaly_migrate(TASKS[task]) do |is_enabled|
        if is_enabled
          project.gitaly_client.repack(task)
        else
          project.run_git_repack(task)
        end
      end
    end
  end

  private

  def gitaly_migrate(method, status: Gitlab::GitalyClient::MigrationStatus::OPT_IN, &block)
    Gitlab::GitalyClient.migrate(method, status: status, &block)
  rescue GRPC::NotFound => e
    Gitlab::GitLogger.error("#{method} failed: repository not found")
    raise NoRepository.new(e)
  rescue GRPC::BadStatus => e
    Gitlab::GitLogger.error("#{method} failed: #{e}")
    raise CommandError.new(e)
  end
end

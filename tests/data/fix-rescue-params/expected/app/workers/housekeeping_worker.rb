class HousekeepingWorker
  TASKS = {
    full_repack: :repack_full,
    incremental_repack: :repack_incremental
  }.freeze

  def perform(project, task)
    if task == :gc
      begin
        project.gitaly_client.garbage_collect
      rescue GRPC::NotFound => e
        Gitlab::GitLogger.error("garbage_collect failed: repository not found")
        raise NoRepository.new(e)
      rescue GRPC::BadStatus => e
        Gitlab::GitLogger.error("garbage_collect failed: #{e}")
        raise CommandError.new(e)
      end
    else
      begin
        project.gitaly_client.repack(task)
      rescue GRPC::NotFound => e
        Gitlab::GitLogger.error("#{TASKS[task]} failed: repository not found")
        raise NoRepository.new(e)
      rescue GRPC::BadStatus => e
        Gitlab::GitLogger.error("#{TASKS[task]} failed: #{e}")
        raise CommandError.new(e)
      end
    end
  end
end

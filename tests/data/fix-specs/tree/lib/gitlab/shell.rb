module Gitlab
  class Shell
    def create_repository(storage, name)
      Gitlab::GitalyClient.migrate(:create_repository) do |is_enabled|
        if is_enabled
          repository_client(storage, name).create_repository
        else
          local_projects(storage, name).create
        end
      end
    end

    def fetch_remote(repository, remote, prune: true)
      Gitlab::GitalyClient.migrate(:fetch_remote) do |is_enabled|
        if is_enabled
          repository.gitaly_repository_client.fetch_remote(remote, prune: prune)
        else
          local_fetch_remote(repository, remote, prune)
        end
      end
    end

    def garbage_collect(repository)
      Gitlab::GitalyClient.migrate(:garbage_collect) do |is_enabled|
        if is_enabled
          repository.gitaly_repository_client.garbage_collect
        else
          local_projects(repository.storage, repository.name).gc
        end
      end
    end

    def push_remote(repository, remote)
      Gitlab::GitalyClient.migrate(:push_remote) do |is_enabled|
        if is_enabled
          repository.gitaly_repository_client.push_remote(remote)
        else
          local_projects(repository.storage, repository.name).push(remote)
        end
      end
    end

    private

    def local_fetch_remote(repository, remote, prune)
      local_projects(repository.storage, repository.name).fetch(remote, prune)
    end

    def local_projects(storage, name)
      Gitlab::LocalProjects.new(storage, name)
    end

    def repository_client(storage, name)
      Gitlab::GitalyClient::RepositoryService.new(storage, name)
    end
  end
end

module Gitlab
  class Shell
    def create_repository(storage, name)
      repository_client(storage, name).create_repository
    end

    def fetch_remote(repository, remote, prune: true)
      repository.gitaly_repository_client.fetch_remote(remote, prune: prune)
    end

    def garbage_collect(repository)
      repository.gitaly_repository_client.garbage_collect
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

    def local_projects(storage, name)
      Gitlab::LocalProjects.new(storage, name)
    end

    def repository_client(storage, name)
      Gitlab::GitalyClient::RepositoryService.new(storage, name)
    end
  end
end

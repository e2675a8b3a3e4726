# Case 6: another component (a gitlab-shell-like client) calls the legacy
# file lister: after the fix it is what keeps it; it is listed "named in
# another component".
class GitlabProjects
  def initialize(repository)
    @repository = repository
  end

  def list_files(ref)
    @repository.rugged_ls_files(ref)
  end
end

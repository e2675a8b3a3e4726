# Case 9, the other half: a method of the same name as the module's legacy
# one, in a class that does not mix the module in. By name it looks dead too
# (nothing calls it), but it is not the legacy code's: it stays.
module Gitlab
  class MirrorAudit
    def initialize(project)
      @project = project
    end

    def rugged_mirror_refs(remote)
      @project.repository.raw.references.select { |r| r.start_with?(remote) }
    end
  end
end

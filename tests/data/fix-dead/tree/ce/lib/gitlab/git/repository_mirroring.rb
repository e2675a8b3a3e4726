# Case 9: a module the repository class mixes in (`include`): its legacy
# method, which only the removed branch called, is deleted from this file,
# which the fix did not otherwise change.
module Gitlab
  module Git
    module RepositoryMirroring
      # Deleted (only the removed branch of the class that includes this called it).
      def rugged_mirror_refs(remote)
        rugged.references.each("refs/remotes/#{remote}/*").map(&:name)
      end

      def remote_names
        rugged.remotes.map(&:name)
      end
    end
  end
end

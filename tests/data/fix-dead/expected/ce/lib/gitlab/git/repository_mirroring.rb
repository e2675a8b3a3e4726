# Case 9: a module the repository class mixes in (`include`): its legacy
# method, which only the removed branch called, is deleted from this file,
# which the fix did not otherwise change.
module Gitlab
  module Git
    module RepositoryMirroring
      def remote_names
        rugged.remotes.map(&:name)
      end
    end
  end
end

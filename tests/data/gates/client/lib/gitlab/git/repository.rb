module Gitlab
  module Git
    class Repository
      def commit(id)
        gitaly_migrate(:find_commit) { |on| on ? gitaly_commit(id) : rugged_commit(id) }
      end

      def tag_names
        gitaly_migrate(:tag_names, status: Gitlab::GitalyClient::MigrationStatus::OPT_OUT) do |on|
          on ? gitaly_ref_client.tag_names : rugged.tags.map(&:name)
        end
      end

      def commits_by_oid(oids)
        gitaly_migrate(:list_commits_by_oid) { |on| on ? gitaly_list(oids) : oids.map { |o| rugged_commit(o) } }
      end

      def languages(ref)
        gitaly_migrate(:commit_languages) { |on| on ? gitaly_languages(ref) : linguist(ref) }
      end
    end
  end
end

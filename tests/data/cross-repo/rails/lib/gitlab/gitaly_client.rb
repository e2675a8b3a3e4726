module Gitlab
  module GitalyClient
    # The headers of the server flags: gitaly-feature-<name>.
    def self.server_feature_flags
      Feature.persisted_names
        .select { |f| f.start_with?('gitaly_') }
        .map { |f| ["gitaly-feature-#{f.delete_prefix('gitaly_').tr('_', '-')}", Feature.enabled?(f).to_s] }
        .to_h
    end
  end
end

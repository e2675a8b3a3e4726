module Gitlab
  module Git
    class Mirror
      def initialize(repository)
        @repository = repository
      end

      # gitaly-ruby reads gitaly-feature-ruby-fast-mirror: flag ruby_fast_mirror.
      def remote_branches
        if @repository.feature_enabled?('fast-mirror')
          ls_remote
        else
          for_each_ref
        end
      end

      def hooks_env
        {
          # A switch: compared with 'true'.
          'GO_HOOKS' => (ENV['GITALY_USE_GO_HOOKS'] == 'true').to_s,
          # Settings read as values: not flags.
          'RUBY_DIR' => ENV['GITALY_RUBY_DIR'],
          'LOG_LEVEL' => ENV.fetch('GITALY_LOG_LEVEL', 'info')
        }
      end
    end
  end
end

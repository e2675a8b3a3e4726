module Gitlab
  module Git
    # Case 12: a class the fix does not change, which Blame's removed branch
    # (case 11) called into with a receiver.
    class LineCounter
      def initialize(repository)
        @repository = repository
      end

      # Named only by that branch, by itself and by its own comment block:
      #   LineCounter.new(repository).rugged_line_count('1a', 'README') # => 12
      # deleted.
      def rugged_line_count(sha, path, tree = nil)
        tree ||= @repository.rugged.lookup(sha).tree
        return rugged_line_count(sha, path, tree) unless tree

        tree.path(path)[:oid].then { |oid| @repository.rugged.lookup(oid).content.lines.count }
      end

      # Unused already before the fix: it stays.
      def lines_of(blob)
        blob.data.lines.count
      end
    end
  end
end

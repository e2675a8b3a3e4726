module Gitlab
  module Git
    # Case 12: a class the fix does not change, which Blame's removed branch
    # (case 11) called into with a receiver.
    class LineCounter
      def initialize(repository)
        @repository = repository
      end

      # Unused already before the fix: it stays.
      def lines_of(blob)
        blob.data.lines.count
      end
    end
  end
end

# Case 7: the only code left naming the legacy finder is this spec: the
# finder is kept and listed ("named in the spec").
require 'spec_helper'

describe Gitlab::Git::Repository do
  let(:repository) { described_class.new('/tmp/repo.git') }

  describe '#rugged_find_branch' do
    it 'finds a branch by its name' do
      expect(repository.rugged_find_branch('master')).not_to be_nil
    end
  end
end

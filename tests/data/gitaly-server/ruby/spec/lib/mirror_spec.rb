describe Gitlab::Git::Mirror do
  let(:repository) { double }

  it 'lists the remote branches with ls-remote' do
    allow(repository).to receive(:feature_enabled?).with('fast-mirror').and_return(true)
  end
end

require 'spec_helper'

describe Gitlab::Shell do
  let(:shell) { described_class.new }
  let(:repository) { create(:project, :repository).repository.raw_repository }
  let(:local_projects) { double(:local_projects) }

  describe '#create_repository' do
    let(:name) { 'group/project' }

    it 'creates a repository' do
      expect(shell.create_repository('default', name)).to be_truthy
    end
  end

  shared_examples 'fetching a remote' do
    def fetch(prune = true)
      shell.fetch_remote(repository, 'upstream', prune: prune)
    end

    def expect_gitaly_fetch(fail = false)
      call = receive(:fetch_remote)
      call = fail ? call.and_raise(GRPC::NotFound) : call.and_return(true)

      expect_any_instance_of(Gitlab::GitalyClient::RepositoryService).to call
    end

    def expect_fetch(fail = false)
      expect_gitaly_fetch(fail)
    end

    it 'fetches the remote' do
      expect_fetch

      expect(fetch).to be_truthy
    end

    it 'prunes only when asked' do
      expect_fetch

      expect(fetch(false)).to eq(true)
      expect(local_projects).not_to receive(:prune)
    end
  end

  describe '#fetch_remote gitaly' do
    it_should_behave_like 'fetching a remote'

    context 'when the remote is missing' do
      it 'raises' do
        expect_any_instance_of(Gitlab::GitalyClient::RepositoryService)
          .to receive(:fetch_remote).and_raise(GRPC::NotFound)

        expect { shell.fetch_remote(repository, 'gone') }.to raise_error(GRPC::NotFound)
      end
    end
  end

  describe '#garbage_collect' do
    context 'with a repository' do
      it 'collects' do
        expect_any_instance_of(Gitlab::GitalyClient::RepositoryService).to receive(:garbage_collect)

        shell.garbage_collect(repository)
      end
    end

    context 'when the repository is missing' do
      it 'raises' do
        expect { shell.garbage_collect(nil) }.to raise_error(NoMethodError)
      end
    end
  end

  # push_remote is still Opt-In: both runs stay.
  shared_examples 'pushing to a remote' do |gitaly_on|
    it 'pushes' do
      if gitaly_on
        expect_any_instance_of(Gitlab::GitalyClient::RepositoryService).to receive(:push_remote)
      else
        expect(local_projects).to receive(:push)
      end

      shell.push_remote(repository, 'upstream')
    end
  end

  describe '#push_remote local', :skip_gitaly_mock do
    it_should_behave_like 'pushing to a remote', false
  end

  describe '#push_remote gitaly' do
    it_should_behave_like 'pushing to a remote', true
  end
end

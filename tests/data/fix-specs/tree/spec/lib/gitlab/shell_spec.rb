require 'spec_helper'

describe Gitlab::Shell do
  let(:shell) { described_class.new }
  let(:repository) { create(:project, :repository).repository.raw_repository }
  let(:local_projects) { double(:local_projects) }

  describe '#create_repository' do
    shared_examples '#create_repository' do
      let(:name) { 'group/project' }

      it 'creates a repository' do
        expect(shell.create_repository('default', name)).to be_truthy
      end
    end

    context 'with gitaly' do
      it_behaves_like '#create_repository'
    end

    context 'without gitaly', :skip_gitaly_mock do
      it_behaves_like '#create_repository'
    end
  end

  shared_examples 'fetching a remote' do |gitaly_on|
    def fetch(prune = true)
      shell.fetch_remote(repository, 'upstream', prune: prune)
    end

    # Expects the local command to run.
    def expect_local_fetch(fail = false)
      expect(local_projects).to receive(:fetch).and_return(!fail)
    end

    def expect_gitaly_fetch(fail = false)
      call = receive(:fetch_remote)
      call = fail ? call.and_raise(GRPC::NotFound) : call.and_return(true)

      expect_any_instance_of(Gitlab::GitalyClient::RepositoryService).to call
    end

    if gitaly_on
      def expect_fetch(fail = false)
        expect_gitaly_fetch(fail)
      end
    else
      def expect_fetch(fail = false)
        expect_local_fetch(fail)
      end
    end

    before do
      allow(Gitlab::LocalProjects).to receive(:new).and_return(local_projects) unless gitaly_on
    end

    it 'fetches the remote' do
      expect_fetch

      expect(fetch).to be_truthy
    end

    it 'prunes only when asked' do
      expect_fetch

      expect(fetch(false)).to eq(gitaly_on ? true : !false)
      expect(local_projects).not_to receive(:prune) if gitaly_on
    end
  end

  describe '#fetch_remote local', :skip_gitaly_mock do
    it_should_behave_like 'fetching a remote', false
  end

  describe '#fetch_remote gitaly' do
    it_should_behave_like 'fetching a remote', true

    context 'when the remote is missing' do
      it 'raises' do
        expect_any_instance_of(Gitlab::GitalyClient::RepositoryService)
          .to receive(:fetch_remote).and_raise(GRPC::NotFound)

        expect { shell.fetch_remote(repository, 'gone') }.to raise_error(GRPC::NotFound)
      end
    end
  end

  describe '#garbage_collect' do
    shared_examples 'collecting garbage' do |gitaly|
      context 'with a repository' do
        it 'collects' do
          if gitaly
            expect_any_instance_of(Gitlab::GitalyClient::RepositoryService).to receive(:garbage_collect)
          else
            expect(local_projects).to receive(:gc)
          end

          shell.garbage_collect(repository)
        end
      end
    end

    context 'with Gitaly turned on' do
      it_should_behave_like 'collecting garbage', true
    end

    context 'with Gitaly turned off', :disable_gitaly do
      it_should_behave_like 'collecting garbage', false
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

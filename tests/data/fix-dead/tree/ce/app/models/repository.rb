# Case 4: the app's model reaches a private legacy helper of the raw
# repository through `send`: it stays.
class Repository
  def initialize(raw_repository)
    @raw_repository = raw_repository
  end

  def cached_tag_count
    @cached_tag_count ||= @raw_repository.send(:rugged_tag_count)
  end
end

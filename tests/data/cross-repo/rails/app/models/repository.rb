class Repository
  def tags
    # Gitaly's flag, sent as a header (served: nothing to report).
    if Feature::Gitaly.enabled?(:fast_tag_lookup)
      raw_repository.tags
    end
  end

  def expire_caches
    # Gitaly defines it but never checks it: FL012 on the server side only.
    Feature::Gitaly.enabled?(:old_cache)
  end

  def branches
    # Misspelt: Gitaly defines fast_tag_lookup (FL014).
    Feature.enabled?(:gitaly_fast_tags_lookup)
  end

  def root_ref
    # The client's own migration flag: not a Gitaly server flag.
    gitaly_migrate(:find_default_branch_name) do |is_enabled|
      is_enabled ? gitaly_ref_client.default_branch_name : discover_default_branch
    end
  end
end

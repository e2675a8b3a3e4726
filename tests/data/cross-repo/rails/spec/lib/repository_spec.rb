describe Repository do
  before do
    stub_feature_flags(gitaly_fast_tag_lookup: true)
  end
end

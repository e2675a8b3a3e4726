module gitlab.com/gitlab-org/gitaly

go 1.13

module example.com/links/worker

go 1.25

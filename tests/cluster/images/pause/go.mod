module realmgate.test/pause

go 1.22

// The tests read /proc and send POSIX signals, as the app host's own process handling does.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Each collection may start a whole application (PostgreSQL, a migration worker, the API);
// two at a time keeps a two-core machine responsive.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]

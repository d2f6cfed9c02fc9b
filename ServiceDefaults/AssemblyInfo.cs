using System.Runtime.CompilerServices;

// The integration tests commit units together directly, to show a failing batch keeps nothing (GroupCommit).
[assembly: InternalsVisibleTo("Relief.IntegrationTests")]

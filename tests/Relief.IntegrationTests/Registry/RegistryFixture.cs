using Relief.IntegrationTests.Infrastructure;
using Relief.Registry;

namespace Relief.IntegrationTests.Registry;

public sealed class RegistryFixture() : ServiceHostFixture<RegistryApi>("registrydb");

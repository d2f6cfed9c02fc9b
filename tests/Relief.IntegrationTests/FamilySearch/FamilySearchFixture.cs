using Relief.FamilySearch;
using Relief.IntegrationTests.Infrastructure;

namespace Relief.IntegrationTests.FamilySearch;

public sealed class FamilySearchFixture() : ServiceHostFixture<FamilySearchApi>("familysearchdb");

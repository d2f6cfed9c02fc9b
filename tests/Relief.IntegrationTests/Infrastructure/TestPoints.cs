using Relief.Testing;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// The service points the tests register cases at, written into an Intake's copy of the network as if Registry had
/// announced them (that path has its own tests: ServicePointCopyTests, PointRefusalTests).
/// </summary>
public static class TestPoints
{
    public static readonly (string Code, string Name, string County)[] Embedded =
    [
        (TestUsers.YanhuPoint, "盐湖区测试社区党群服务中心", "140802"),
        (TestUsers.LinyiPoint, "临猗县测试爱心驿站", "140821"),
    ];

    public static Task SeedIntakeCopyAsync(string intakeConnectionString) =>
        TestDatabase.ExecuteAsync(intakeConnectionString, """
            insert into service_points (code, name, kind, county_code, status, version, changed_at)
            select code, name, 'community_center', county, 'embedded', 1, now()
            from unnest(@Codes, @Names, @Counties) as p(code, name, county)
            on conflict (code) do nothing
            """, new
            {
                Codes = Embedded.Select(p => p.Code).ToArray(),
                Names = Embedded.Select(p => p.Name).ToArray(),
                Counties = Embedded.Select(p => p.County).ToArray(),
            });
}

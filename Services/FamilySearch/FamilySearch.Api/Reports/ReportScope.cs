using Dapper;
using Relief.ServiceDefaults.Authentication;

namespace Relief.FamilySearch.Reports;

/// <summary>
/// Who sees which reports (the design of issue 13): the city bureau all; a county office, and a station, the reports
/// taken in their county (<c>station_county</c>); point staff and hotline operators only the reports they took
/// themselves — they register families, they do not search. Auditors read all, as Notices/ lets them read notices, and change nothing.
/// </summary>
public static class ReportScope
{
    /// <summary>Who may register a report (auditors only read).</summary>
    public static readonly string[] Creators =
        [ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    public static readonly string[] Readers = [.. Creators, ReliefRoles.Auditor];

    /// <summary>The rows <c>r</c> of <c>reports</c> a user may see.</summary>
    public const string Predicate = $"""
        ((@ScopeRole = '{ReliefRoles.CityAdministrator}' and @ScopeOfficeKind = '{OfficeKinds.CityBureau}')
         or @ScopeRole = '{ReliefRoles.Auditor}'
         or (@ScopeRole = '{ReliefRoles.CountyOfficer}' and @ScopeOfficeKind = '{OfficeKinds.CountyOffice}' and r.station_county = @ScopeCounty)
         or (@ScopeRole = '{ReliefRoles.StationStaff}' and @ScopeOfficeKind = '{OfficeKinds.ReliefStation}' and r.station_county = @ScopeCounty)
         or (@ScopeRole in ('{ReliefRoles.PointStaff}', '{ReliefRoles.HotlineOperator}') and r.created_by = @ScopeSubject))
        """;

    /// <summary>
    /// The rows <c>n</c> of <c>notices</c> a user may see: the station's county, and for a county office the case's
    /// county too (the design's scope). Point staff and hotline operators see no notice.
    /// </summary>
    public const string NoticePredicate = $"""
        ((@ScopeRole = '{ReliefRoles.CityAdministrator}' and @ScopeOfficeKind = '{OfficeKinds.CityBureau}')
         or @ScopeRole = '{ReliefRoles.Auditor}'
         or (@ScopeRole = '{ReliefRoles.CountyOfficer}' and @ScopeOfficeKind = '{OfficeKinds.CountyOffice}'
             and (n.station_county = @ScopeCounty or n.county_code = @ScopeCounty))
         or (@ScopeRole = '{ReliefRoles.StationStaff}' and @ScopeOfficeKind = '{OfficeKinds.ReliefStation}' and n.station_county = @ScopeCounty))
        """;

    public static DynamicParameters Parameters(ReliefUser user, object? queryParameters = null)
    {
        var parameters = DataScope.Parameters(user, queryParameters);
        parameters.Add("ScopeSubject", user.Subject);
        return parameters;
    }
}

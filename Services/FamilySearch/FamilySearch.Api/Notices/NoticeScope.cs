using Relief.ServiceDefaults.Authentication;

namespace Relief.FamilySearch.Notices;

/// <summary>
/// Which notices (and police requests, which carry the same two counties) a user sees: station staff those their
/// county's station works; a county officer those of their county's station or of cases registered in their county; the
/// city administrator and auditors all (auditors read only: the write endpoints refuse their role). The parameters are
/// <see cref="DataScope.Parameters"/>'s.
/// </summary>
public static class NoticeScope
{
    public static string Predicate(string alias) => $"""
        ((@ScopeRole = '{ReliefRoles.CityAdministrator}' and @ScopeOfficeKind = '{OfficeKinds.CityBureau}')
         or @ScopeRole = '{ReliefRoles.Auditor}'
         or (@ScopeRole = '{ReliefRoles.CountyOfficer}' and @ScopeOfficeKind = '{OfficeKinds.CountyOffice}'
             and ({alias}.station_county = @ScopeCounty or {alias}.county_code = @ScopeCounty))
         or (@ScopeRole = '{ReliefRoles.StationStaff}' and @ScopeOfficeKind = '{OfficeKinds.ReliefStation}'
             and {alias}.station_county = @ScopeCounty))
        """;

    /// <summary>Who may read notices and requests.</summary>
    public static readonly string[] Readers =
        [ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator, ReliefRoles.Auditor];

    /// <summary>Who may edit, submit, approve, return and withdraw them (approval has the four-eyes rule besides).</summary>
    public static readonly string[] Workers = [ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];
}

using Dapper;

namespace Relief.ServiceDefaults.Authentication;

/// <summary>
/// The columns a table scopes its rows by. A role whose column the table lacks sees none of its rows.
/// </summary>
public sealed record ScopeColumns(
    string? County = null,
    string? ServicePoint = null,
    /// <summary>The county whose relief station a row was referred to (one station per county or district).</summary>
    string? ReceivingStationCounty = null,
    string? Channel = null);

/// <summary>
/// The rows a user may see, as a SQL predicate every query of a service adds (the fragments are constants of the
/// code, the user's values are parameters). Each role sees its scope only when it works at an office of the kind that
/// role belongs to — the token's office kind, not a naming convention of office codes:
/// the city administrator (city bureau) everything; a county officer (county office) their county; point staff
/// (service point) their own point; relief-station staff (relief station) what was referred to their county's
/// station; hotline operators (hotline) hotline cases; auditors nothing.
/// </summary>
public static class DataScope
{
    public static string Predicate(ScopeColumns columns)
    {
        var clauses = new List<string> { Role(ReliefRoles.CityAdministrator, OfficeKinds.CityBureau) };
        if (columns.County is { } county)
        {
            clauses.Add($"({Role(ReliefRoles.CountyOfficer, OfficeKinds.CountyOffice)} and {county} = @ScopeCounty)");
        }

        if (columns.ServicePoint is { } point)
        {
            clauses.Add($"({Role(ReliefRoles.PointStaff, OfficeKinds.ServicePoint)} and {point} = @ScopeOffice)");
        }

        if (columns.ReceivingStationCounty is { } station)
        {
            clauses.Add($"({Role(ReliefRoles.StationStaff, OfficeKinds.ReliefStation)} and {station} = @ScopeCounty)");
        }

        if (columns.Channel is { } channel)
        {
            clauses.Add($"({Role(ReliefRoles.HotlineOperator, OfficeKinds.Hotline)} and {channel} = 'Hotline')");
        }

        return "(" + string.Join(" or ", clauses) + ")";
    }

    private static string Role(string role, string officeKind) => $"(@ScopeRole = '{role}' and @ScopeOfficeKind = '{officeKind}')";

    /// <summary>The parameters <see cref="Predicate"/> refers to, added to a query's own.</summary>
    public static DynamicParameters Parameters(ReliefUser user, object? queryParameters = null)
    {
        var parameters = new DynamicParameters(queryParameters);
        parameters.Add("ScopeRole", user.Role);
        parameters.Add("ScopeOfficeKind", user.OfficeKind);
        parameters.Add("ScopeCounty", user.County);
        parameters.Add("ScopeOffice", user.Office);
        return parameters;
    }
}

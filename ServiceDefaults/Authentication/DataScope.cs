using Dapper;

namespace Relief.ServiceDefaults.Authentication;

/// <summary>
/// The columns a table scopes its rows by. A role whose column the table lacks sees none of its rows.
/// </summary>
public sealed record ScopeColumns(
    string? County = null,
    string? ServicePoint = null,
    string? ReceivingStation = null,
    string? Channel = null);

/// <summary>
/// The rows a user may see, as a SQL predicate every query of a service adds (the fragments are constants of the
/// code, the user's values are parameters):
/// the city administrator everything; a county officer their county; point staff their own point; relief-station
/// staff what was referred to their station; hotline operators hotline cases; auditors nothing.
/// </summary>
public static class DataScope
{
    public static string Predicate(ScopeColumns columns)
    {
        var clauses = new List<string> { $"@ScopeRole = '{ReliefRoles.CityAdministrator}'" };
        if (columns.County is { } county)
        {
            clauses.Add($"(@ScopeRole = '{ReliefRoles.CountyOfficer}' and {county} = @ScopeCounty)");
        }

        if (columns.ServicePoint is { } point)
        {
            clauses.Add($"(@ScopeRole = '{ReliefRoles.PointStaff}' and {point} = @ScopeOffice)");
        }

        if (columns.ReceivingStation is { } station)
        {
            clauses.Add($"(@ScopeRole = '{ReliefRoles.StationStaff}' and {station} = @ScopeOffice)");
        }

        if (columns.Channel is { } channel)
        {
            clauses.Add($"(@ScopeRole = '{ReliefRoles.HotlineOperator}' and {channel} = 'Hotline')");
        }

        return "(" + string.Join(" or ", clauses) + ")";
    }

    /// <summary>The parameters <see cref="Predicate"/> refers to, added to a query's own.</summary>
    public static DynamicParameters Parameters(ReliefUser user, object? queryParameters = null)
    {
        var parameters = new DynamicParameters(queryParameters);
        parameters.Add("ScopeRole", user.Role);
        parameters.Add("ScopeCounty", user.County);
        parameters.Add("ScopeOffice", user.Office);
        return parameters;
    }
}

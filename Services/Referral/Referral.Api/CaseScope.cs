using Relief.ServiceDefaults.Authentication;

namespace Relief.Referral;

/// <summary>The cases Referral knows (<c>cases c</c>) that a user may work on: to record relief, to refer again.</summary>
public static class CaseScope
{
    /// <summary>
    /// Point staff the cases of their point, a county officer those of their county, the city all; station staff those
    /// their station holds — the station the case's latest referral went to (after a transfer, the new one), else its
    /// county's.
    /// </summary>
    public static readonly string Predicate = DataScope.Predicate(new ScopeColumns(
        County: "c.county_code", ServicePoint: "c.service_point_code",
        ReceivingStationCounty: """
            coalesce((select lr.receiving_station_county from referrals lr where lr.case_id = c.id
                      order by lr.sent_at desc, lr.id desc limit 1), c.county_code)
            """));
}

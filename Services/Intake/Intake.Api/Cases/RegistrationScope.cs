using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Intake.Cases;

/// <summary>Where each registrar may register: point staff at their own point, hotline operators hotline cases
/// for any county, county officers in their county, the city administrator anywhere.</summary>
public static class RegistrationScope
{
    /// <summary>Why <paramref name="user"/> may not register this case, or null when they may.</summary>
    public static string? Refusal(ReliefUser user, RegisterCaseRequest request) => user.Role switch
    {
        _ when !OfficeKinds.Allows(user.Role, user.OfficeKind) => "Your office is not of the kind your role works at.",
        ReliefRoles.CityAdministrator => null,
        ReliefRoles.CountyOfficer when request.CountyCode != user.County => "County officers register cases of their own county.",
        ReliefRoles.CountyOfficer => null,
        ReliefRoles.PointStaff when request.ServicePointCode != user.Office || request.CountyCode != user.County =>
            "Point staff register cases at their own service point.",
        ReliefRoles.PointStaff => null,
        ReliefRoles.HotlineOperator when request.Channel != IntakeChannel.Hotline => "Hotline operators register hotline cases.",
        ReliefRoles.HotlineOperator => null,
        _ => "Your role does not register cases.",
    };
}

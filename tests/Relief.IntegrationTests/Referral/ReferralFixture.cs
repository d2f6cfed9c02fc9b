using Relief.IntegrationTests.Infrastructure;
using Relief.Referral;

namespace Relief.IntegrationTests.Referral;

public sealed class ReferralFixture() : ServiceHostFixture<ReferralApi>("referraldb");

"""Name tables behind the emulator's lookup endpoints and its professional-demographic values.

The tables are fixed (they do not depend on the world seed), like LinkedIn's standardized data:
a title URN means the same title in every emulator. Sizes are chosen for test pressure, not
realism: 1,920 job titles (so a ``MEMBER_JOB_TITLE`` DAILY report easily exceeds 15,000 rows),
1,500 member employers, about 400 geo areas.

Chosen wire forms (LinkedIn documents some of them only loosely, see ``linkedin-api.md`` section 4):

* geo pivots (``MEMBER_COUNTRY_V2``, ``MEMBER_REGION_V2``, ``MEMBER_COUNTY`` and
  ``MEMBER_DESIGNATED_MARKET_AREA``) -> ``urn:li:geo:N``;
* ``MEMBER_JOB_TITLE`` -> ``urn:li:title:N``, ``MEMBER_JOB_FUNCTION`` -> ``urn:li:function:N``,
  ``MEMBER_SENIORITY`` -> ``urn:li:seniority:N``, ``MEMBER_INDUSTRY`` -> ``urn:li:industry:N``,
  ``MEMBER_COMPANY`` -> ``urn:li:organization:N``;
* ``MEMBER_COMPANY_SIZE`` -> ``urn:li:staffCountRange:(11,50)`` (the form the reference calls likely).

.. code-block:: python

    from airflow_provider_linkedin_ads.testing.lookups import DEMOGRAPHIC_VALUES, NAMES

    DEMOGRAPHIC_VALUES[Pivot.MEMBER_SENIORITY][0]  # 'urn:li:seniority:1'
    NAMES["seniority"]["1"]  # 'Unpaid'
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.testing.hashing import hash_text

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["DEMOGRAPHIC_VALUES", "LOOKUP_KINDS", "MEMBER_COMPANY_BASE_ID", "NAMES", "company_name"]

#: The ``kind`` values accepted by ``World.names``.
LOOKUP_KINDS: tuple[str, ...] = ("organization", "geo", "title", "function", "seniority", "industry")

_FUNCTIONS = (
    "Accounting", "Administrative", "Arts and Design", "Business Development",
    "Community and Social Services", "Consulting", "Education", "Engineering", "Entrepreneurship",
    "Finance", "Healthcare Services", "Human Resources", "Information Technology", "Legal", "Marketing",
    "Media and Communication", "Military and Protective Services", "Operations", "Product Management",
    "Program and Project Management", "Purchasing", "Quality Assurance", "Real Estate", "Research",
    "Sales", "Customer Success and Support",
)  # fmt: skip

_SENIORITIES = (
    "Unpaid",
    "Training",
    "Entry",
    "Senior",
    "Manager",
    "Director",
    "VP",
    "CXO",
    "Partner",
    "Owner",
)

_INDUSTRIES = (
    "Software Development", "IT Services and IT Consulting", "Financial Services", "Banking", "Insurance",
    "Hospitals and Health Care", "Pharmaceutical Manufacturing", "Biotechnology Research",
    "Higher Education", "Primary and Secondary Education", "Retail", "Wholesale", "Manufacturing",
    "Automotive", "Aviation and Aerospace", "Construction", "Real Estate", "Telecommunications",
    "Media Production", "Advertising Services", "Marketing Services", "Staffing and Recruiting",
    "Management Consulting", "Accounting", "Law Practice", "Government Administration",
    "Non-profit Organizations", "Oil and Gas", "Renewable Energy", "Utilities",
    "Transportation and Logistics", "Food and Beverage Services", "Hospitality", "Travel Arrangements",
    "Entertainment Providers", "Computer Games", "Semiconductor Manufacturing",
    "Computer Hardware Manufacturing", "Computer and Network Security", "Internet Publishing",
    "E-Learning Providers", "Research Services", "Chemical Manufacturing", "Mining",
    "Farming", "Consumer Services", "Design Services", "Architecture and Planning",
    "Civil Engineering", "Mechanical or Industrial Engineering", "Venture Capital and Private Equity",
    "Investment Management", "Medical Equipment Manufacturing", "Mental Health Care",
    "Wellness and Fitness Services", "Sporting Goods Manufacturing", "Textile Manufacturing",
    "Furniture and Home Furnishings Manufacturing", "Book and Periodical Publishing", "Armed Forces",
)  # fmt: skip

_TITLE_LEVELS = ("", "Senior ", "Junior ", "Lead ", "Principal ", "Associate ", "Staff ", "Head ")
_TITLE_DOMAINS = (
    "Software", "Data", "Marketing", "Sales", "Product", "Finance", "People", "Operations",
    "Customer Success", "Security", "Cloud", "Brand", "Content", "Research", "Design", "Legal",
    "Procurement", "Supply Chain", "Quality", "Business Development", "Account", "Communications",
    "Analytics", "Infrastructure", "Network", "Mobile", "Growth", "Partnerships", "Compliance", "Talent",
)  # fmt: skip
_TITLE_ROLES = (
    "Engineer",
    "Manager",
    "Analyst",
    "Specialist",
    "Consultant",
    "Director",
    "Coordinator",
    "Architect",
)

_COUNTRIES = (
    "United States", "United Kingdom", "Germany", "France", "Canada", "India", "Australia", "Netherlands",
    "Spain", "Italy", "Brazil", "Mexico", "Japan", "Singapore", "Ireland", "Sweden", "Switzerland",
    "Belgium", "Poland", "Denmark", "Norway", "Finland", "Austria", "Portugal", "Israel",
    "United Arab Emirates", "Saudi Arabia", "South Africa", "Nigeria", "Kenya", "Egypt", "Turkey",
    "Argentina", "Chile", "Colombia", "New Zealand", "Philippines", "Indonesia", "Malaysia", "South Korea",
)  # fmt: skip

_REGIONS = (
    "California", "New York", "Texas", "Florida", "Illinois", "Washington", "Massachusetts", "Georgia",
    "Colorado", "Virginia", "North Carolina", "Pennsylvania", "Ohio", "Michigan", "New Jersey",
    "Arizona", "Oregon", "Minnesota", "Utah", "Maryland", "Tennessee", "Missouri", "Wisconsin",
    "Indiana", "Connecticut", "Ontario", "Quebec", "British Columbia", "Alberta", "England",
    "Scotland", "Wales", "Northern Ireland", "Bavaria", "Berlin", "Hesse", "North Rhine-Westphalia",
    "Ile-de-France", "Auvergne-Rhone-Alpes", "Catalonia", "Community of Madrid", "Lombardy", "Lazio",
    "North Holland", "South Holland", "Maharashtra", "Karnataka", "Tamil Nadu", "Delhi", "Telangana",
    "New South Wales", "Victoria", "Queensland", "Sao Paulo", "Rio de Janeiro", "Mexico City",
    "Dubai", "Tokyo", "Stockholm County", "Zurich",
)  # fmt: skip

_COUNTY_NAMES = (
    "Adams", "Benton", "Clark", "Douglas", "Franklin", "Grant", "Jackson", "Jefferson", "Lincoln",
    "Madison", "Marion", "Monroe", "Washington", "Wayne", "Polk", "Union", "Warren", "Greene", "Lake", "Orange",
)  # fmt: skip
_COUNTY_STATES = (
    "Ohio", "Indiana", "Illinois", "Iowa", "Missouri", "Kentucky", "Tennessee", "Georgia", "Alabama",
    "Mississippi", "Arkansas", "Wisconsin",
)  # fmt: skip

_DMAS = (
    "New York", "Los Angeles", "Chicago", "Philadelphia", "Dallas-Ft. Worth", "San Francisco-Oakland-San Jose",
    "Atlanta", "Houston", "Washington, DC (Hagerstown, MD)", "Boston (Manchester)", "Phoenix (Prescott)",
    "Seattle-Tacoma", "Tampa-St. Petersburg (Sarasota)", "Minneapolis-St. Paul", "Detroit", "Denver",
    "Orlando-Daytona Beach-Melbourne", "Miami-Ft. Lauderdale", "Cleveland-Akron (Canton)", "Sacramento-Stockton-Modesto",
)  # fmt: skip

_COMPANY_SIZES: tuple[tuple[int, int], ...] = (
    (1, 1), (2, 10), (11, 50), (51, 200), (201, 500), (501, 1000), (1001, 5000), (5001, 10000),
    (10001, 2147483647),
)  # fmt: skip

_COMPANY_STEMS = (
    "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adventure", "Wingtip", "Proseware",
    "Lucerne", "Margie", "Coho", "Fourth Coffee", "Humongous", "Alpine", "Blue Yonder", "Trey",
    "Woodgrove", "Graphic", "Wide World", "Southridge", "Bellows", "Consolidated", "Datum", "Relecloud",
    "Lamna", "Nod", "VanArsdel", "Vista", "Baldwin", "Cronus", "Kestrel", "Halcyon", "Meridian",
    "Granite", "Silverline", "Redwood", "Harbor", "Summit", "Evergreen", "Crescent", "Ironbridge",
    "Lakeshore", "Oakmont", "Pinecrest", "Quarry", "Riverbend", "Stonegate", "Thornfield", "Upland", "Westbrook",
)  # fmt: skip
_COMPANY_SUFFIXES = (
    "Analytics", "Systems", "Labs", "Logistics", "Health", "Capital", "Energy", "Foods", "Media",
    "Robotics", "Software", "Consulting", "Insurance", "Bank", "Motors", "Pharma", "Retail", "Studios",
    "Networks", "Security", "Airlines", "Hotels", "Foundation", "University", "Manufacturing",
    "Telecom", "Materials", "Partners", "Ventures", "Group",
)  # fmt: skip

#: First id of the member-employer organizations (advertiser organizations use lower ids).
MEMBER_COMPANY_BASE_ID = 2_000_000


def company_name(index: int) -> str:
    """Return the deterministic company name number ``index`` (stems x suffixes, then numbered).

    :param index: any non-negative integer.
    """
    stem = _COMPANY_STEMS[index % len(_COMPANY_STEMS)]
    suffix = _COMPANY_SUFFIXES[(index // len(_COMPANY_STEMS)) % len(_COMPANY_SUFFIXES)]
    cycle = index // (len(_COMPANY_STEMS) * len(_COMPANY_SUFFIXES))
    return f"{stem} {suffix}" if cycle == 0 else f"{stem} {suffix} {cycle + 1}"


def _sequential(names: Sequence[str]) -> dict[str, str]:
    return {str(index + 1): name for index, name in enumerate(names)}


def _geo_ids(names: Sequence[str]) -> dict[str, str]:
    # Bing geo ids are large arbitrary numbers; derive stable 9-digit ones from the label.
    table: dict[str, str] = {}
    for name in names:
        geo_id = 100_000_000 + hash_text(name) % 900_000_000
        while str(geo_id) in table:  # vanishingly rare; keeps ids unique without changing the others
            geo_id += 1
        table[str(geo_id)] = name
    return table


def _titles() -> list[str]:
    return [
        f"{level}{domain} {role}"
        for level in _TITLE_LEVELS
        for domain in _TITLE_DOMAINS
        for role in _TITLE_ROLES
    ]


def _counties() -> list[str]:
    return [f"{county} County, {state}" for state in _COUNTY_STATES for county in _COUNTY_NAMES]


def _member_companies(count: int = 1500) -> dict[str, str]:
    return {str(MEMBER_COMPANY_BASE_ID + index * 7): company_name(index) for index in range(count)}


# Countries take ids 1, 2, 3, ... in list order, so the Reporting page's own geo samples
# (urn:li:geo:1 = United States) resolve verbatim.
_COUNTRY_IDS = {str(index): name for index, name in enumerate(_COUNTRIES, start=1)}
_REGION_IDS = _geo_ids([f"{region} (region)" for region in _REGIONS])
_COUNTY_IDS = _geo_ids(_counties())
_DMA_IDS = _geo_ids([f"{dma} DMA" for dma in _DMAS])
_TITLE_IDS = _sequential(_titles())
_FUNCTION_IDS = _sequential(_FUNCTIONS)
_SENIORITY_IDS = _sequential(_SENIORITIES)
_INDUSTRY_IDS = _sequential(_INDUSTRIES)
_MEMBER_COMPANY_IDS = _member_companies()

#: Fixed lookup tables by kind (organization holds member employers only; ``World.names`` adds advertisers).
NAMES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "organization": MappingProxyType(_MEMBER_COMPANY_IDS),
        "geo": MappingProxyType(
            {
                **_COUNTRY_IDS,
                **{k: v.removesuffix(" (region)") for k, v in _REGION_IDS.items()},
                **_COUNTY_IDS,
                **_DMA_IDS,
            }
        ),
        "title": MappingProxyType(_TITLE_IDS),
        "function": MappingProxyType(_FUNCTION_IDS),
        "seniority": MappingProxyType(_SENIORITY_IDS),
        "industry": MappingProxyType(_INDUSTRY_IDS),
    }
)


def _urns(prefix: str, ids: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(f"{prefix}{key}" for key in ids)


#: Every value a professional-demographic pivot can take, as ``pivotValues`` strings.
DEMOGRAPHIC_VALUES: Mapping[Pivot, tuple[str, ...]] = MappingProxyType(
    {
        Pivot.MEMBER_COUNTRY_V2: _urns("urn:li:geo:", _COUNTRY_IDS),
        Pivot.MEMBER_REGION_V2: _urns("urn:li:geo:", _REGION_IDS),
        Pivot.MEMBER_COUNTY: _urns("urn:li:geo:", _COUNTY_IDS),
        Pivot.MEMBER_DESIGNATED_MARKET_AREA: _urns("urn:li:geo:", _DMA_IDS),
        Pivot.MEMBER_JOB_TITLE: _urns("urn:li:title:", _TITLE_IDS),
        Pivot.MEMBER_JOB_FUNCTION: _urns("urn:li:function:", _FUNCTION_IDS),
        Pivot.MEMBER_SENIORITY: _urns("urn:li:seniority:", _SENIORITY_IDS),
        Pivot.MEMBER_INDUSTRY: _urns("urn:li:industry:", _INDUSTRY_IDS),
        Pivot.MEMBER_COMPANY: _urns("urn:li:organization:", _MEMBER_COMPANY_IDS),
        Pivot.MEMBER_COMPANY_SIZE: tuple(
            f"urn:li:staffCountRange:({low},{high})" for low, high in _COMPANY_SIZES
        ),
    }
)

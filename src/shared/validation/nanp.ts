/**
 * The North American Numbering Plan (+1), as data with no business rule, for the modules that need it: geographic
 * area codes by state or province (NANPA's assignments, https://nationalnanpa.com), and so by country. Number
 * search uses it to pick the country's inventory and to suggest numbers in the same state or province (an area
 * code missing here gets no suggestions); a project's fallback number must be in one of the allowed countries.
 * Non-geographic codes (toll-free 8XX, premium 900, personal 5XX, 700) and the other NANP countries (the
 * Caribbean's 876, 809, ...) are not here.
 */
const AREA_CODES_BY_REGION: Record<string, string> = {
  AL: '205 251 256 334 659 938',
  AK: '907',
  AZ: '480 520 602 623 928',
  AR: '479 501 870',
  CA: '209 213 279 310 323 341 350 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 747 760 805 818 820 831 840 858 909 916 925 949 951',
  CO: '303 719 720 970 983',
  CT: '203 475 860 959',
  DE: '302',
  DC: '202 771',
  FL: '239 305 321 352 386 407 448 561 656 689 727 754 772 786 813 850 863 904 941 954',
  GA: '229 404 470 478 678 706 762 770 912 943',
  HI: '808',
  ID: '208 986',
  IL: '217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 872',
  IN: '219 260 317 463 574 765 812 930',
  IA: '319 515 563 641 712',
  KS: '316 620 785 913',
  KY: '270 364 502 606 859',
  LA: '225 318 337 504 985',
  ME: '207',
  MD: '227 240 301 410 443 667',
  MA: '339 351 413 508 617 774 781 857 978',
  MI: '231 248 269 313 517 586 616 679 734 810 906 947 989',
  MN: '218 320 507 612 651 763 952',
  MS: '228 601 662 769',
  MO: '314 417 557 573 636 660 816 975',
  MT: '406',
  NE: '308 402 531',
  NV: '702 725 775',
  NH: '603',
  NJ: '201 551 609 640 732 848 856 862 908 973',
  NM: '505 575',
  NY: '212 315 332 347 363 516 518 585 607 631 646 680 716 718 838 845 914 917 929 934',
  NC: '252 336 472 704 743 828 910 919 980 984',
  ND: '701',
  OH: '216 220 234 283 326 330 380 419 436 440 513 567 614 740 937',
  OK: '405 539 572 580 918',
  OR: '458 503 541 971',
  PA: '215 223 267 272 412 445 484 570 582 610 717 724 814 835 878',
  RI: '401',
  SC: '803 821 839 843 854 864',
  SD: '605',
  TN: '423 615 629 731 865 901 931',
  TX: '210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 915 936 940 945 956 972 979',
  UT: '385 435 801',
  VT: '802',
  VA: '276 434 540 571 703 757 804 826 948',
  WA: '206 253 360 425 509 564',
  WV: '304 681',
  WI: '262 274 414 534 608 715 920',
  WY: '307',
  AB: '368 403 587 780 825',
  BC: '236 250 604 672 778',
  MB: '204 431',
  NB: '428 506',
  NL: '709',
  NS: '782 902',
  ON: '226 249 289 343 365 416 437 519 548 613 647 705 742 807 905',
  QC: '263 354 367 418 438 450 468 514 579 581 819 873',
  SK: '306 639',
  // 867 serves all three territories: an area code's region is the first listed with it, so 867 reads as YT.
  YT: '867',
  NT: '867',
  NU: '867',
};

const CANADA = new Set(['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'ON', 'QC', 'SK', 'YT', 'NT', 'NU']);

/** The countries of the North American Numbering Plan that this service sells numbers in. */
export type NanpCountry = 'US' | 'CA';

const CODES_OF = new Map<string, readonly string[]>(
  Object.entries(AREA_CODES_BY_REGION).map(([region, codes]) => [region, codes.split(' ')]),
);

const REGION_OF = new Map<string, string>(
  Object.entries(AREA_CODES_BY_REGION)
    .reverse() // so that the first region listed with a shared code wins
    .flatMap(([region, codes]) => codes.split(' ').map((code) => [code, region] as [string, string])),
);

/** The state or province of an area code, with its country, or null when it is not a known geographic one. */
export function regionOfAreaCode(areaCode: string): { region: string; country: NanpCountry } | null {
  const region = REGION_OF.get(areaCode);
  return region ? { region, country: countryOfRegion(region) } : null;
}

/** The country of a state or province code: CA for a Canadian province or territory, US otherwise. */
export function countryOfRegion(region: string): NanpCountry {
  return CANADA.has(region) ? 'CA' : 'US';
}

/** Every known geographic area code of a state or province. */
export function areaCodesOfRegion(region: string): readonly string[] {
  return CODES_OF.get(region.toUpperCase()) ?? [];
}

/** Every known geographic area code of a country, each once (the sandbox stocks them all). */
export function areaCodesOfCountry(country: NanpCountry): readonly string[] {
  return [...new Set([...CODES_OF].filter(([r]) => countryOfRegion(r) === country).flatMap(([, c]) => c))];
}

const NANP_NUMBER = /^\+1([2-9]\d{2})([2-9]\d{2})(\d{4})$/;

/** The parts of a +1 number (`+1 NPA NXX XXXX`), or null when it is not a well-formed NANP number. */
export function nanpParts(e164: string): { areaCode: string; exchange: string; line: string } | null {
  const match = NANP_NUMBER.exec(e164);
  return match ? { areaCode: match[1]!, exchange: match[2]!, line: match[3]! } : null;
}

# ruff: noqa: E501
"""Realistic OpenTravel reservation messages (shapes of OTA 2003B/2015B and AlpineBits 2018+),
with test card data that must never be kept: PANs 4111111111111111 / 5555444433334444 (the
card brands' public test numbers), security codes 919 / 3791, expiries 0829 / 1127."""

from __future__ import annotations

PAN_1, CVV_1, EXP_1 = "4111111111111111", "919", "0829"
PAN_2, CVV_2, EXP_2, TOKEN_2 = "5555444433334444", "3791", "1127", "tok_9d8c7b6a5f4e"
SOAP_PASSWORD = "s3cr3t-Pa55"
#: what must appear nowhere once the file is read
SECRETS = (PAN_1, CVV_1, EXP_1, PAN_2, CVV_2, EXP_2, TOKEN_2, "Jane Card Holder", SOAP_PASSWORD, "msgPw-77")

#: OTA_HotelResNotifRQ: two reservations, the second cancelled; a 2003B card (attributes) on the
#: first, a 2015B card (CardNumber/PlainText, Token, SeriesCode/PlainText) on the second.
RES_NOTIF = f"""<?xml version="1.0" encoding="UTF-8"?>
<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" EchoToken="e-1" TimeStamp="2024-05-02T10:15:00Z"
    Version="1.003" ResStatus="Commit">
  <POS>
    <Source>
      <RequestorID ID="SITEMINDER" Type="22" MessagePassword="msgPw-77"/>
      <BookingChannel Type="7" Primary="true"><CompanyName Code="BDC">Booking.com</CompanyName></BookingChannel>
    </Source>
  </POS>
  <HotelReservations>
    <HotelReservation CreateDateTime="2024-05-01T08:30:00Z" ResStatus="Book">
      <UniqueID Type="14" ID="BDC-4711"/>
      <RoomStays>
        <RoomStay>
          <RoomTypes><RoomType RoomTypeCode="DBL"><RoomDescription Name="Double Room Sea View"/></RoomType></RoomTypes>
          <RatePlans><RatePlan RatePlanCode="BAR" RatePlanName="Best available rate"/></RatePlans>
          <RoomRates>
            <RoomRate RoomTypeCode="DBL" RatePlanCode="BAR">
              <Rates>
                <Rate EffectiveDate="2024-06-10" ExpireDate="2024-06-11"><Base AmountAfterTax="120.50" CurrencyCode="EUR"/></Rate>
                <Rate EffectiveDate="2024-06-11" ExpireDate="2024-06-12"><Base AmountAfterTax="130.00" CurrencyCode="EUR"/></Rate>
              </Rates>
            </RoomRate>
          </RoomRates>
          <GuestCounts IsPerRoom="true">
            <GuestCount AgeQualifyingCode="10" Count="2"/>
            <GuestCount AgeQualifyingCode="8" Count="1" Age="6"/>
            <GuestCount AgeQualifyingCode="7" Count="1" Age="1"/>
          </GuestCounts>
          <TimeSpan Start="2024-06-10" End="2024-06-12"/>
          <Guarantee>
            <GuaranteesAccepted>
              <GuaranteeAccepted>
                <PaymentCard CardCode="VI" CardNumber="{PAN_1}" SeriesCode="{CVV_1}" ExpireDate="{EXP_1}">
                  <CardHolderName>Jane Card Holder</CardHolderName>
                </PaymentCard>
              </GuaranteeAccepted>
            </GuaranteesAccepted>
          </Guarantee>
          <Total AmountAfterTax="250.50" AmountBeforeTax="230.00" CurrencyCode="EUR"/>
          <BasicPropertyInfo HotelCode="LIS01" HotelName="Hotel Tejo"/>
        </RoomStay>
      </RoomStays>
      <ResGuests>
        <ResGuest ResGuestRPH="1" PrimaryIndicator="true">
          <Profiles><ProfileInfo><Profile ProfileType="1"><Customer>
            <PersonName><NamePrefix>Mrs</NamePrefix><GivenName>Ana</GivenName><Surname>Silva</Surname></PersonName>
            <Telephone PhoneTechType="1" PhoneNumber="+351 912 345 678"/>
            <Email>ana.silva@example.pt</Email>
            <Address><CityName>Porto</CityName><CountryName Code="PT">Portugal</CountryName></Address>
          </Customer></Profile></ProfileInfo></Profiles>
        </ResGuest>
      </ResGuests>
      <ResGlobalInfo>
        <HotelReservationIDs><HotelReservationID ResID_Type="10" ResID_Value="PMS-0042"/></HotelReservationIDs>
      </ResGlobalInfo>
    </HotelReservation>
    <HotelReservation CreateDateTime="2024-04-20T17:05:00Z" LastModifyDateTime="2024-05-02T09:00:00Z"
        ResStatus="Cancelled">
      <UniqueID Type="14" ID="BDC-4712"/>
      <UniqueID Type="15" ID="CXL-88"/>
      <RoomStays>
        <RoomStay>
          <RoomTypes><RoomType RoomTypeCode="SGL"/></RoomTypes>
          <GuestCounts><GuestCount AgeQualifyingCode="10" Count="1"/></GuestCounts>
          <TimeSpan Start="2024-07-01" End="2024-07-04"/>
          <BasicPropertyInfo HotelCode="LIS01" HotelName="Hotel Tejo"/>
        </RoomStay>
      </RoomStays>
      <ResGuests>
        <ResGuest><Profiles><ProfileInfo><Profile><Customer>
          <PersonName><GivenName>Bruno</GivenName><Surname>Costa</Surname></PersonName>
          <Email>bruno.costa@example.com</Email>
          <Address><CountryName Code="BR"/></Address>
        </Customer></Profile></ProfileInfo></Profiles></ResGuest>
      </ResGuests>
      <ResGlobalInfo>
        <Guarantee><GuaranteesAccepted><GuaranteeAccepted>
          <PaymentCard CardCode="MC" CardType="1" ExpireDate="{EXP_2}">
            <CardHolderName>Jane Card Holder</CardHolderName>
            <CardNumber Mask="XXXXXXXXXXXX4444" Token="{TOKEN_2}"><PlainText>{PAN_2}</PlainText></CardNumber>
            <SeriesCode><PlainText>{CVV_2}</PlainText></SeriesCode>
          </PaymentCard>
        </GuaranteeAccepted></GuaranteesAccepted></Guarantee>
        <Total AmountAfterTax="36000" DecimalPlaces="2" CurrencyCode="EUR"/>
      </ResGlobalInfo>
    </HotelReservation>
  </HotelReservations>
</OTA_HotelResNotifRQ>
"""

#: OTA_ResRetrieveRS inside a SOAP 1.1 envelope whose header carries credentials; one
#: reservation with two rooms (dates and guest in ResGlobalInfo), amounts with DecimalPlaces.
SOAP_RETRIEVE = f"""<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">
  <soap-env:Header>
    <Interface xmlns="http://www.example.com/header" Name="DirectConnect">
      <Authentication Username="partner" Password="{SOAP_PASSWORD}"/>
    </Interface>
  </soap-env:Header>
  <soap-env:Body>
    <OTA_ResRetrieveRS xmlns="http://www.opentravel.org/OTA/2003/05" Version="2.001" TimeStamp="2024-05-03T06:00:00Z">
      <Success/>
      <ReservationsList>
        <HotelReservation CreateDateTime="2024-05-02T21:40:12+02:00" ResStatus="Reserved">
          <POS><Source><RequestorID ID="EXPEDIA"/>
            <BookingChannel Type="2"><CompanyName Code="EXP"/></BookingChannel></Source></POS>
          <UniqueID Type="14" ID="EXP-9001"/>
          <RoomStays>
            <RoomStay>
              <RoomTypes><RoomType RoomTypeCode="KNG"/></RoomTypes>
              <GuestCounts><GuestCount AgeQualifyingCode="10" Count="2"/></GuestCounts>
              <Total AmountAfterTax="45000" DecimalPlaces="2" CurrencyCode="USD"/>
            </RoomStay>
            <RoomStay>
              <RoomTypes><RoomType RoomTypeCode="TWN"/></RoomTypes>
              <RoomRates><RoomRate RatePlanCode="NR">
                <Rates>
                  <Rate EffectiveDate="2024-08-01" ExpireDate="2024-08-02"><Base AmountAfterTax="99.95" CurrencyCode="USD"/></Rate>
                  <Rate EffectiveDate="2024-08-02" ExpireDate="2024-08-03"><Total AmountAfterTax="100.05" CurrencyCode="USD"/></Rate>
                </Rates>
              </RoomRate></RoomRates>
              <GuestCounts><GuestCount AgeQualifyingCode="10" Count="1"/><GuestCount AgeQualifyingCode="8" Count="1"/></GuestCounts>
            </RoomStay>
          </RoomStays>
          <ResGuests><ResGuest><Profiles><ProfileInfo><Profile><Customer>
            <PersonName><GivenName>John</GivenName><MiddleName>Q</MiddleName><Surname>Public</Surname></PersonName>
            <Telephone CountryAccessCode="1" AreaCityCode="212" PhoneNumber="5550123"/>
            <Email>john.public@example.com</Email>
            <Address><CountryName Code="US"/></Address>
          </Customer></Profile></ProfileInfo></Profiles></ResGuest></ResGuests>
          <ResGlobalInfo>
            <TimeSpan Start="2024-08-01" End="2024-08-03"/>
            <BasicPropertyInfo HotelCode="NYC7" HotelName="Midtown Lofts"/>
          </ResGlobalInfo>
        </HotelReservation>
      </ReservationsList>
    </OTA_ResRetrieveRS>
  </soap-env:Body>
</soap-env:Envelope>
"""

#: AlpineBits GuestRequests (OTA_ResRetrieveRS 7.000): adults as GuestCount without a code,
#: children with an Age; a request and a cancellation.
ALPINEBITS = """<?xml version="1.0" encoding="UTF-8"?>
<OTA_ResRetrieveRS xmlns="http://www.opentravel.org/OTA/2003/05" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.opentravel.org/OTA/2003/05 OTA_ResRetrieveRS.xsd" Version="7.000">
  <Success/>
  <ReservationsList>
    <HotelReservation CreateDateTime="2024-02-11T09:12:44+01:00" ResStatus="Requested">
      <UniqueID Type="14" ID="AB-6677"/>
      <RoomStays>
        <RoomStay>
          <RoomTypes><RoomType RoomTypeCode="FAM" RoomClassificationCode="42"/></RoomTypes>
          <GuestCounts><GuestCount Count="2"/><GuestCount Count="1" Age="9"/><GuestCount Count="1" Age="4"/></GuestCounts>
          <TimeSpan Start="2024-03-02" End="2024-03-09"/>
          <Total AmountAfterTax="1680.00" CurrencyCode="EUR"/>
        </RoomStay>
      </RoomStays>
      <ResGuests><ResGuest><Profiles><ProfileInfo><Profile><Customer Gender="Female" Language="de">
        <PersonName><NamePrefix>Frau</NamePrefix><GivenName>Maria</GivenName><Surname>Huber</Surname></PersonName>
        <Telephone PhoneTechType="5" PhoneNumber="+43 660 1234567"/>
        <Email Remark="newsletter:no">maria.huber@example.at</Email>
        <Address><CountryName Code="AT"/></Address>
      </Customer></Profile></ProfileInfo></Profiles></ResGuest></ResGuests>
      <ResGlobalInfo>
        <Comments><Comment Name="customer comment"><Text>Late arrival</Text></Comment></Comments>
        <HotelReservationIDs>
          <HotelReservationID ResID_Type="13" ResID_Value="XYZ123" ResID_Source="www.example-portal.it"/>
        </HotelReservationIDs>
        <BasicPropertyInfo HotelCode="ALP1" HotelName="Hotel Alpenrose"/>
      </ResGlobalInfo>
    </HotelReservation>
    <HotelReservation CreateDateTime="2024-02-12T10:00:00+01:00" ResStatus="Cancelled">
      <UniqueID Type="15" ID="AB-6600"/>
      <RoomStays><RoomStay>
        <RoomTypes><RoomType RoomTypeCode="DZ"/></RoomTypes>
        <GuestCounts><GuestCount Count="2"/></GuestCounts>
        <TimeSpan Start="2024-04-10" End="2024-04-12"/>
        <Total AmountAfterTax="300" CurrencyCode="EUR"/>
      </RoomStay></RoomStays>
      <ResGuests><ResGuest><Profiles><ProfileInfo><Profile><Customer>
        <PersonName><GivenName>Luca</GivenName><Surname>Rossi</Surname></PersonName>
        <Email>luca.rossi@example.it</Email><Address><CountryName Code="IT"/></Address>
      </Customer></Profile></ProfileInfo></Profiles></ResGuest></ResGuests>
      <ResGlobalInfo>
        <BasicPropertyInfo HotelCode="ALP1" HotelName="Hotel Alpenrose"/>
      </ResGlobalInfo>
    </HotelReservation>
  </ReservationsList>
</OTA_ResRetrieveRS>
"""

EMPTY_LIST = """<?xml version="1.0" encoding="UTF-8"?>
<OTA_ResRetrieveRS xmlns="http://www.opentravel.org/OTA/2003/05" Version="7.000" TimeStamp="2024-05-03T06:00:00Z">
  <Success/>
  <ReservationsList/>
</OTA_ResRetrieveRS>
"""

// Receives Lambda destination records (on-success / on-failure of other functions).
export const handler = async (record) => {
  const { requestContext } = record;
  console.log(`${requestContext.condition}: ${requestContext.functionArn} request ${requestContext.requestId}`);
  return { seen: requestContext.requestId };
};
